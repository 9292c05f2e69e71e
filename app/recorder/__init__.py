"""The call recorder (Gong): who is who there, each rep's calls and their numbers.

`provider` is the interface a recorder module implements (`gong` is the first; Chorus would
be one more module), `pace` keeps every replica together within the recorder's limits,
`connection` says which credentials a workspace uses, and `sync` reads what the week needs
into the database, so nothing shown to anyone waits on the recorder."""
