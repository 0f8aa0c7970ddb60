-- Sentiment scores are in [-1, 1] and confidences in [0, 1], for every scored review.
select
    review_id,
    sentiment_score,
    sentiment_confidence
from {{ ref('int_reviews_scored') }}
where
    sentiment_score < -1 or sentiment_score > 1
    or sentiment_confidence < 0 or sentiment_confidence > 1
