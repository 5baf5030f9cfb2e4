"""Pure parsers of scheduler command output."""
