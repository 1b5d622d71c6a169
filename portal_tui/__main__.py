"""`python -m portal_tui` runs the same CLI as the `portal-tui` command."""

from portal_tui.cli import main

main()
