-- Console template "Aggregate function in a tumbling window", as users paste it: lower-case unquoted names.
create or replace stream destination_sql_stream (ticker_symbol varchar(4), ticker_symbol_count integer);
create or replace pump stream_pump as insert into destination_sql_stream
select stream ticker_symbol, count(*) as ticker_symbol_count
from source_sql_stream_001
group by ticker_symbol, floor((source_sql_stream_001.rowtime - timestamp '1970-01-01 00:00:00') second / 10 to second);
