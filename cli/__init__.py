"""The `provenance` command: a thin Typer front end over the public `provenance` API."""
