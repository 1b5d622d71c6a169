"""The help centre: articles in the project's own words, and search that forgives spelling."""
