"""E-mail for people: the mails a night writes (operators' digest, the direction's held plan,
staff deletion notices), composed from the night's report and sent over SMTP (issue 18)."""
