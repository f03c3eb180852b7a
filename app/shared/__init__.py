"""What several resources embed: actors with their roles, claims in brief, places, and their
schemas. It sits above the models and below the resources; a resource takes these from here,
never from another resource."""
