"""The platform's rules in plain Python (they import neither chalice nor boto3): principals and
permissions, authentication and tokens, users, roles and settings administration, audit."""
