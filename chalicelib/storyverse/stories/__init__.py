"""Stories, with the characters and universes they are set in (a family's own and the built-in
public catalogue), their pages and how they are shared."""
