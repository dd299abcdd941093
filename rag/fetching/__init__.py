"""The online corpus builder (`rag fetch`): the review's full text and the abstracts of the references it cites.

One module per service (publisher, E-utilities, Europe PMC), one polite HTTP client they share, and the builder
that writes pack-shaped records under ``corpus/fetched``."""
