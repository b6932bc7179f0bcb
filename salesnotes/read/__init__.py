"""Reading notes: the file, its front-matter, body and typed fields."""
