"""The `partnermatch` command line: the Typer app, its terminal rendering and the scheduler."""
