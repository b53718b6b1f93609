-- Nexmark q8: monitor new users. The people who created an account and put up an auction within the same 10-second
-- tumbling window.
--
-- Flink groups people and auctions into 10-second windows separately and joins the two on (id = seller, window).
-- Here each arriving auction meets the people of the last 10 seconds with the same tumbling window
-- (STEP(ROWTIME BY INTERVAL '10' SECOND) equal on both sides), and a tumbling GROUP BY then keeps one row per person
-- and window, like Flink's GROUP BY. Since a person always exists before their auctions, a seller who joined in the
-- auction's window is within the 10 seconds before it, and the result is Flink's (emitted at the window's end).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("id" BIGINT, "name" VARCHAR(32), "starttime" TIMESTAMP);
CREATE OR REPLACE PUMP "Q8_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM P."id", P."name", STEP(A.ROWTIME BY INTERVAL '10' SECOND)
  FROM "AUCTION_001" AS A
  JOIN "PERSON_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS P
    ON P."id" = A."seller"
    AND STEP(P.ROWTIME BY INTERVAL '10' SECOND) = STEP(A.ROWTIME BY INTERVAL '10' SECOND)
  GROUP BY P."id", P."name", STEP(A.ROWTIME BY INTERVAL '10' SECOND);
