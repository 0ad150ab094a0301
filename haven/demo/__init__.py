"""The demo scenario: Kazakhstan, September–October 2022, shifted to start today."""
