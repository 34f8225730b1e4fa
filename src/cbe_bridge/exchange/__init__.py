"""Exchange formats: signed CLR 2.0 credentials, PESC High School Transcript XML.

* :mod:`cbe_bridge.exchange.clr` (+ ``clr_parts``): CLR 2.0 / Open Badges 3.0 credentials;
* :mod:`cbe_bridge.exchange.signing`: keys and VC-JWT (compact JWS) signatures;
* :mod:`cbe_bridge.exchange.verify`: checking a signed credential (signature, dates, schema);
* :mod:`cbe_bridge.exchange.pesc` (+ ``pesc_check``): PESC High School Transcript XML.

Builders here take the records :mod:`cbe_bridge.translate.student_records` reads and never
compute policy.
"""
