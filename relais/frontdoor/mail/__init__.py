"""The front door's e-mail: the inbox's SMTP server (``smtp``), the reading of a received
message (``parse``) and the headers that thread what Relais sends (``outbound``)."""
