"""`auditor` subcommands, one module each (see `auditor.cli.COMMAND_MODULES`)."""
