"""Identity across sources: the same student in the SIS and the LMS is one student.

* :mod:`~cbe_bridge.identity.settings`: the ``[identity]`` configuration;
* :mod:`~cbe_bridge.identity.resolve`: matching people to primary students, set-wise in SQL,
  into ``identity_links`` (run after every sync and before every compute);
* :mod:`~cbe_bridge.identity.report`: what is linked, ambiguous or unmatched, by source ids only.

The engine reads the links (:mod:`cbe_bridge.engine.records`): a linked person's evidence is
the primary student's, and the person is not listed as a student of its own.
"""
