{#- Every row satisfies `expression` (rows where it is false are the failures). Our own, because
    dbt packages (dbt_utils) are fetched from dbt's hub, which this project cannot reach. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select * from {{ model }} where not ({{ expression }})

{% endtest %}
