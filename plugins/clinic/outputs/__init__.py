"""What a build writes beside the pages: sitemap, host headers, assets, minified and compressed copies, the search index, the swap."""
