"""The OLX stage: problems as CAPA XML, archives, reading OLX back, comparing two courses."""
