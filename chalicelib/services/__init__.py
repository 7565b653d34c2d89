"""Business rules in plain Python: they import neither chalice nor boto3."""
