-- Keywords in any case.
Create Or Replace Stream Destination_Sql_Stream (Ticker Varchar(4), Price Real);
create OR replace PUMP Stream_Pump As Insert Into destination_sql_stream
  Select Stream Ticker, Price From Source_Sql_Stream_001 Where Price > 50 And Ticker Is Not Null;
