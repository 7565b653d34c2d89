"""Adapters to AWS services other than DynamoDB (which lives in chalicelib.platform.tables)."""
