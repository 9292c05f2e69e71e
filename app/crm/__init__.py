"""The CRM (Salesforce or HubSpot): whose deals are whose, their stages and stage history read
into the database a little each tick, and the drill written back on each coached deal."""
