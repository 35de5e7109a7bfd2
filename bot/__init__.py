"""townhall-bot: answers questions about the OpenAI Town Hall on Discord and Slack."""
