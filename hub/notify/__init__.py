"""What the hub tells people: e-mail (`mail`), parents' correction reports (`reports`) and
freshness reminders to municipalities (`freshness`, `digest`)."""
