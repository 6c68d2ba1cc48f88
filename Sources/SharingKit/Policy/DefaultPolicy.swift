// The shipped default policy. Keep identical to Samples/policies/default.yaml: a test compares them.
enum DefaultPolicy {
    static let yaml = #"""
        # iproceeds sharing policy: the shipped default for a national CSIRT sharing incident data with the police.
        # `iproceeds share ... --policy default` uses this text; this file is a copy to read and to start your own from.
        # Every key is described in docs/sharing-policy.md, with the reasoning behind each choice below.
        #
        # The principle: a detector cannot tell a victim's value from an attacker's. In free text, every identifier of
        # a person is pseudonymised (the police can link records and ask the CSIRT to re-identify one under a lawful
        # request), except those that are almost always attacker infrastructure and public by nature (crypto addresses),
        # and URLs, cut to their origin so that the phishing host stays and the victim's part of the link goes.
        # In structured input the field says whose value it is, and the field rules below decide.
        version: 1
        name: csirt-to-police
        description: >-
          CSIRT to police: victims' identifiers pseudonymised, national ids and names pseudonymised, card numbers
          masked to the last four digits, attacker infrastructure kept (IntelMQ source fields, or the C2 destination of
          a bot report) and the victim's side of victim-side reports protected, raw data dropped.

        # Values found by the detectors, in free text and in fields whose rule is `scan`.
        types:
          email: pseudonymise            # victims' and reporters' mailboxes; phishing senders are often spoofed innocents
          ipv4: {action: pseudonymise, scheme: reserved}   # in text an IP may be the victim's: map into 240.0.0.0/4
          ipv6: {action: pseudonymise, scheme: reserved}   # ... and 2001:db8::/32, so no pseudonym is a real subscriber
          url: generalise                # keep scheme://host/ (the IOC), drop path and query (tokens, victims' addresses)
          iban: pseudonymise             # victim or money-mule account: linkable, re-identified on request
          card: {action: mask, keep_last: 4}   # stolen cards are victims'; the last four let a victim recognise theirs
          phone: pseudonymise
          btc_address: keep              # ransom and scam wallets: attacker infrastructure on a public ledger
          eth_address: keep
          jmbg: pseudonymise             # national ids are never IOCs
          tr_id: pseudonymise
          al_nid: pseudonymise
          person: pseudonymise

        # A type iproceeds learns after this policy was written is dropped until the policy says otherwise.
        unlisted_types: drop

        # Structured input: IntelMQ keys, MISP attribute types, CSV column names. Fields not listed are scanned.
        fields:
          # IntelMQ: source.* is the host the event is about: the attacker in phishing, malware, C2, spam and scanner
          # reports (the victim-side reports are under classifications below).
          source.ip: keep
          source.network: keep
          source.port: keep
          source.fqdn: keep
          source.url: keep               # the full phishing or malware URL is the evidence the police act on
          source.urlpath: keep
          source.reverse_dns: keep
          source.asn: keep
          source.as_name: keep
          source.geolocation.*: keep
          # destination.* is usually the victim (scanned, attacked, phished); for infected-system events it is the
          # C2 server, kept by the classifications rules below.
          destination.ip: pseudonymise
          destination.network: drop
          destination.fqdn: drop         # a victim's host name often spells out its IP address or its owner
          destination.reverse_dns: drop
          destination.urlpath: drop
          destination.account: pseudonymise   # an e-mail address is pseudonymised as one; anything else is dropped
          destination.local_ip: pseudonymise
          destination.geolocation.*: drop
          destination.geolocation.cc: keep
          destination.port: keep
          destination.asn: keep
          destination.as_name: keep
          time.source: keep              # exact time is what ties a dynamic IP address to a subscriber
          time.observation: {action: generalise, to: hour}
          raw: drop                      # the unredacted original line
          screenshot_url: drop
          classification.*: keep
          feed.*: keep
          malware.*: keep
          protocol.*: keep
          # MISP attribute types.
          ip-src: keep
          ip-dst: pseudonymise
          target-user: {action: pseudonymise, as: person}
          target-email: {action: pseudonymise, as: email}
          target-machine: drop
          target-location: drop
          domain: keep
          hostname: keep
          url: keep

        # Whose value a field holds depends on the kind of event. In the reports above, source is the attacker. In
        # victim-side reports -- a bot (infected-system), an exposed or vulnerable service, a machine broken into -- source
        # is the constituent's own machine and destination, where there is one, the attacker's C2 server: the victim is
        # protected as a destination is above, the attacker's infrastructure kept as the indicator it is. For an event
        # whose classification.type is listed, these rules win over `fields` for the fields they name.
        classifications:
          - types: [infected-system, infected system, botnet drone, vulnerable-service, vulnerable-system, vulnerable service,
              compromised, system-compromise, application-compromise]
            fields:
              source.ip: {action: pseudonymise, scheme: reserved}   # the victim's address, as free text treats one
              source.local_ip: pseudonymise
              source.network: drop
              source.fqdn: drop          # a victim's host name often spells out its IP address or its owner
              source.reverse_dns: drop
              source.url: drop           # the victim's own service
              source.urlpath: drop
              source.account: pseudonymise
              source.geolocation.*: drop
              source.geolocation.cc: keep
              source.port: keep
              source.asn: keep
              source.as_name: keep
              destination.ip: keep       # the C2 server
              destination.network: keep
              destination.fqdn: keep
              destination.reverse_dns: keep
              destination.url: keep
              destination.urlpath: keep
              destination.geolocation.*: keep

        default_field_action: scan

        # Names of people to find in free text (the person detector); add a case's names in a case policy.
        names: []

        """#
}
