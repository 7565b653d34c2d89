"""Sales pipeline: opportunities and their stages, deals and their line items, products and SKUs, the forecast."""
