-- Cell-key protection: every counter keeps, beside its count, the sum of the pseudo-random
-- record keys (0 to 255) of the events it counted. A published cell's key is the sum of its
-- counters' keys, so the same cell gets the same noise in every table. Counters written before
-- this migration get a random key sum, as if their events had been keyed when counted.
ALTER TABLE delivery_counts ADD COLUMN key_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE click_counts ADD COLUMN key_sum INTEGER NOT NULL DEFAULT 0;
UPDATE delivery_counts SET key_sum = abs(random() % (256 * count)) WHERE count > 0;
UPDATE click_counts SET key_sum = abs(random() % (256 * clicks)) WHERE clicks > 0;
