"""Media servers (Plex, Jellyfin, Emby) as sources: their clients and what runs ask of them."""
