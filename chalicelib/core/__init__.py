"""Framework-free building blocks: settings, errors, ids, clock, cursors, validation."""
