"""Exchange formats: signed CLR 2.0 credentials, PESC High School Transcript XML.

* :mod:`cbe_bridge.exchange.records`: a student's stored results, read once for every format;
* :mod:`cbe_bridge.exchange.clr` (+ ``clr_parts``): CLR 2.0 / Open Badges 3.0 credentials;
* :mod:`cbe_bridge.exchange.signing`: keys and VC-JWT (compact JWS) signatures;
* :mod:`cbe_bridge.exchange.verify`: checking a signed credential (signature, dates, schema);
* :mod:`cbe_bridge.exchange.pesc` (+ ``pesc_check``): PESC High School Transcript XML.

Renderers here read engine results and never compute policy.
"""
