"""Local development only (`make run`); the packaging step leaves it out of the Lambda bundle."""
