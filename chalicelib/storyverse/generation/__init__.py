"""Generation of a story's text, illustrations and narration: asynchronous jobs, metered against
the family's tier, behind one pluggable generator (offline by default, Bedrock and Polly in AWS)."""
