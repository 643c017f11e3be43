"""Pure data of the site: the rules for each kind of page, the problems, the taxonomy, the clinic data, the settings. Imports nothing else of the plugin."""
