"""CRM write actions: one function per business action, each atomic and access-checked."""
