"""Marketing: campaigns and their members, email templates."""
