"""`olxkit docs [TOPIC]`: the authoring reference and the rule catalogue, from the installed package."""

from __future__ import annotations

import sys

import click

from .common import handle_errors, stderr


@click.command("docs")
@click.argument("topic", required=False)
@click.option("--all", "whole", is_flag=True, help="Print the whole authoring reference.")
@handle_errors
def docs(topic, whole):
    """The authoring reference: the course files, lessons, every component and problem field.

    With no TOPIC, the list of topics; with one, that part of the reference, for example `olxkit docs
    course.yaml`, `olxkit docs updates`, `olxkit docs problem`, `olxkit docs numerical`. `olxkit docs rules`
    explains every finding code. The reference is installed with olxkit: no network or repository needed.
    """
    from ..reference import find, reference_text, topics
    from ..report import rules_markdown
    from ..source.yamlio import closest

    if whole:
        click.echo(reference_text(), nl=False)
        return
    if topic is None:
        click.echo("Topics (olxkit docs TOPIC; --all prints everything):")
        for name in topics():
            click.echo(f"  {name}")
        click.echo("  rules  (every finding code: what it means, an example)")
        return
    if topic.strip().lower() in ("rules", "rules.md", "codes"):
        click.echo(rules_markdown(), nl=False)
        return
    section = find(topic)
    if section is None:
        names = [name.strip() for name in topics()]
        stderr(f"olxkit: no topic `{topic}` in the reference{closest(topic.lower(), names)}; "
               "`olxkit docs` lists the topics")
        sys.exit(2)
    click.echo(section.text, nl=False)
