"""Platform adapters: each turns platform events into engine questions and answers back."""
