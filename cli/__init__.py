"""The ``skillgap`` command (Typer + Rich): the top floor, above the flows.

``main.py`` holds the root app and the console-script entry point; each sibling module
registers one group of sub-commands. Nothing below this package imports it.
"""
