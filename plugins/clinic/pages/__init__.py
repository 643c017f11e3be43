"""What Pelican renders: the generator, each article's context, topic pages, sections, structured data, template helpers."""
