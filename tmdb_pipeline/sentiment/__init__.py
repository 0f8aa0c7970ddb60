"""Review sentiment for the Silver layer: scorer, trainer, CLI back end and the Spark UDF.

Modules (imported on demand: importing this package does not load torch):
- `settings`  SentimentSettings (SENTIMENT_*)
- `scorer`    SentimentScorer.from_settings().score(texts) -> Sentiment(score, label, confidence) | None
- `udf`       register_sentiment_udf(spark) -> SQL `review_sentiment(text)`
- `train`     the recipe behind `tmdb-pipeline sentiment train`
"""

import os

# Before torch loads: OpenMP threads that busy-wait for each other run many times slower on a shared or
# oversubscribed CPU (measured here: 2 threads at 77 texts/s busy-waiting, 263 passive). setdefault: an
# explicit OMP_WAIT_POLICY still wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
