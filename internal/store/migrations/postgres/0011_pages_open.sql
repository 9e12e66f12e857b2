-- The console's Now screen lists the newest open pages: this index gives
-- them in order for each open status, without reading every open page.
CREATE INDEX pages_open ON pages (status, first_seen, id);
