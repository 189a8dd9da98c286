"""Translation: POT extraction, catalog update (msgmerge semantics), coverage, QA and translated variants."""
