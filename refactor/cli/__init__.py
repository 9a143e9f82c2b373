"""The command line: `refactor ...` and the generated transform documentation."""
