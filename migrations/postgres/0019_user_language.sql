-- The language each person reads the web interface in (a tag such as `de` or `ar`, from the
-- staff interface's own languages); NULL: follow the browser's Accept-Language, else English.
-- Part of the users row, so it is erased with it under the people retention rule.
ALTER TABLE users ADD COLUMN language TEXT;
