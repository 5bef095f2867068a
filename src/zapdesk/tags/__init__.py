"""Tags: labels an administrator defines (a name and a colour) that agents put on tickets and contacts."""
