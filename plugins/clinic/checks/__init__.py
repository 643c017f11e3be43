"""Pure checks: text and model in, problems out (validation, links, review dates, reading levels)."""
