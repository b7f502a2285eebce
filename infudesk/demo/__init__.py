"""The demo database and the fictional people that fill it: never imported on a real start."""
