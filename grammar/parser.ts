/**
 * The KDA SQL parser: a chevrotain CstParser with no embedded actions. It only recognises the dialect and builds a
 * concrete syntax tree; `src/sql/build-ast.ts` turns that into the typed AST and does the checks that need meaning
 * (which function takes `TO unit`, which type names exist). Keeping the grammar free of actions is what lets chevrotain
 * recover from errors (several diagnostics per pass) and draw railroad diagrams from the same definition.
 *
 * Special forms that differ only in a separator (FLOOR(x TO MINUTE), STEP(x BY INTERVAL ...), EXTRACT(HOUR FROM t),
 * SUBSTRING(s FROM 1 FOR 2), SUBSTRING(s SIMILAR p ESCAPE e), POSITION(a IN b), TRIM(BOTH ' ' FROM s),
 * OVERLAY(s PLACING t FROM 1)) and PERIOD(start, end) share one generic
 * `functionCall` rule whose arguments may be separated by those keywords.
 */
import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './tokens.js';

const K = T.K;
const CONTINUES_OPERAND = new Set([K.YEAR, K.MONTH, K.DAY, K.HOUR, K.MINUTE, K.SECOND, T.Concat, T.Plus, T.Minus, T.Star, T.Slash, T.Percent]);
const ENDS_ITEM = new Set([T.Comma, T.RParen, T.Semicolon, K.FROM, K.WHERE, K.GROUP, K.HAVING, K.WINDOW, K.WINDOWED, K.ORDER, K.UNION, K.EXCEPT, K.INTERSECT, K.AS]);
const TEMPORAL_WORDS = new Set([K.CONTAINS, K.OVERLAPS, K.EQUALS, K.PRECEDES, K.SUCCEEDS, K.LEADS, K.LAGS]);

export class SqlParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 4, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  // ---- program ----------------------------------------------------------------------------------------------------
  public script = this.RULE('script', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Semicolon) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]);
    });
  });

  public statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.setSchema) },
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.query) },
    ]);
  });

  private createStatement = this.RULE('createStatement', () => {
    this.CONSUME(K.CREATE);
    this.OPTION(() => {
      this.CONSUME(K.OR);
      this.CONSUME(K.REPLACE);
    });
    this.OR([
      { ALT: () => this.SUBRULE(this.streamDefinition) },
      { ALT: () => this.SUBRULE(this.pumpDefinition) },
      { ALT: () => this.SUBRULE(this.functionDefinition) },
      { ALT: () => this.SUBRULE(this.schemaDefinition) },
    ]);
  });

  private streamDefinition = this.RULE('streamDefinition', () => {
    this.CONSUME(K.STREAM);
    this.SUBRULE(this.qualifiedName);
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.columnDefinition) });
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(K.DESCRIPTION);
      this.CONSUME(T.StringLiteral);
    });
  });

  private columnDefinition = this.RULE('columnDefinition', () => {
    this.SUBRULE(this.identifier);
    this.SUBRULE(this.dataType);
    this.OPTION(() => {
      this.CONSUME(K.NOT);
      this.CONSUME(K.NULL);
    });
  });

  /** Type names are checked by the AST builder, so the grammar reads any word: `DOUBLE PRECISION`, `VARCHAR(8)`. */
  public dataType = this.RULE('dataType', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'typeName' }) },
      { ALT: () => this.CONSUME(K.TIMESTAMP, { LABEL: 'typeName' }) },
      { ALT: () => this.CONSUME(K.DATE, { LABEL: 'typeName' }) },
      { ALT: () => this.CONSUME(K.TIME, { LABEL: 'typeName' }) },
      { ALT: () => this.CONSUME(K.INTERVAL, { LABEL: 'typeName' }) },
    ]);
    this.OPTION(() => {
      this.OR2([
        { ALT: () => this.CONSUME(K.PRECISION, { LABEL: 'typeSuffix' }) },
        { ALT: () => this.CONSUME(K.VARYING, { LABEL: 'typeSuffix' }) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.NumberLiteral, { LABEL: 'typeArg' });
      this.OPTION3(() => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.NumberLiteral, { LABEL: 'typeArg' });
      });
      this.CONSUME(T.RParen);
    });
  });

  private pumpDefinition = this.RULE('pumpDefinition', () => {
    this.CONSUME(K.PUMP);
    this.SUBRULE(this.qualifiedName);
    this.OPTION(() => this.CONSUME(K.STOPPED));
    this.CONSUME(K.AS);
    this.SUBRULE(this.insertStatement);
  });

  private insertStatement = this.RULE('insertStatement', () => {
    this.CONSUME(K.INSERT);
    this.OPTION(() => this.CONSUME(K.EXPEDITED));
    this.CONSUME(K.INTO);
    this.SUBRULE(this.qualifiedName);
    this.OPTION2(() => this.SUBRULE(this.columnList));
    this.SUBRULE(this.query);
  });

  private functionDefinition = this.RULE('functionDefinition', () => {
    this.CONSUME(K.FUNCTION);
    this.SUBRULE(this.qualifiedName);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.parameterDefinition) });
    this.CONSUME(T.RParen);
    this.CONSUME(K.RETURNS);
    this.SUBRULE(this.dataType);
    // LANGUAGE SQL, [NOT] DETERMINISTIC, CONTAINS SQL, RETURNS NULL ON NULL INPUT, CALLED ON NULL INPUT: kept as words.
    this.MANY(() => this.SUBRULE(this.functionCharacteristic));
    this.CONSUME(K.RETURN);
    this.SUBRULE(this.expression);
  });

  private functionCharacteristic = this.RULE('functionCharacteristic', () => {
    this.OR([
      { ALT: () => this.CONSUME(K.LANGUAGE, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(K.SQL, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(K.DETERMINISTIC, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(K.CONTAINS, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(K.NOT, { LABEL: 'word' }) },
    ]);
  });

  private parameterDefinition = this.RULE('parameterDefinition', () => {
    this.SUBRULE(this.identifier);
    this.SUBRULE(this.dataType);
  });

  private schemaDefinition = this.RULE('schemaDefinition', () => {
    this.CONSUME(K.SCHEMA);
    this.SUBRULE(this.identifier);
  });

  private setSchema = this.RULE('setSchema', () => {
    this.CONSUME(K.SET);
    this.CONSUME(K.SCHEMA);
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.SUBRULE(this.identifier) },
    ]);
  });

  // ---- queries ----------------------------------------------------------------------------------------------------
  public query = this.RULE('query', () => {
    this.SUBRULE(this.queryTerm);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.UNION, { LABEL: 'setOp' }) },
        { ALT: () => this.CONSUME(K.EXCEPT, { LABEL: 'setOp' }) },
        { ALT: () => this.CONSUME(K.INTERSECT, { LABEL: 'setOp' }) },
      ]);
      this.OPTION(() => {
        this.OR2([
          { ALT: () => this.CONSUME(K.ALL, { LABEL: 'setQuantifier' }) },
          { ALT: () => this.CONSUME(K.DISTINCT, { LABEL: 'setQuantifier' }) },
        ]);
      });
      this.SUBRULE2(this.queryTerm);
    });
    this.OPTION2(() => this.SUBRULE(this.orderByClause));
  });

  private queryTerm = this.RULE('queryTerm', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.query);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  private select = this.RULE('select', () => {
    this.CONSUME(K.SELECT);
    this.OPTION(() => this.CONSUME(K.STREAM));
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.ALL, { LABEL: 'quantifier' }) },
        { ALT: () => this.CONSUME(K.DISTINCT, { LABEL: 'quantifier' }) },
      ]);
    });
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.selectItem) });
    this.OPTION3(() => this.SUBRULE(this.fromClause));
    this.OPTION4(() => {
      this.CONSUME(K.WHERE);
      this.SUBRULE(this.expression, { LABEL: 'where' });
    });
    this.OPTION5(() => {
      this.OR2([
        { ALT: () => this.SUBRULE(this.groupByClause) },
        { ALT: () => this.SUBRULE(this.staggerClause) },
      ]);
    });
    this.OPTION6(() => {
      this.CONSUME(K.HAVING);
      this.SUBRULE2(this.expression, { LABEL: 'having' });
    });
    this.OPTION7(() => this.SUBRULE(this.windowClause));
  });

  private selectItem = this.RULE('selectItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      {
        // alias.* — three tokens of lookahead tell it from an expression.
        GATE: () => this.LA(2).tokenType === T.Dot && this.LA(3).tokenType === T.Star,
        ALT: () => {
          this.SUBRULE(this.identifier, { LABEL: 'starQualifier' });
          this.CONSUME(T.Dot);
          this.CONSUME2(T.Star);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.expression);
          this.OPTION(() => this.SUBRULE(this.alias));
        },
      },
    ]);
  });

  private alias = this.RULE('alias', () => {
    this.OPTION(() => this.CONSUME(K.AS));
    this.SUBRULE(this.identifier);
  });

  private fromClause = this.RULE('fromClause', () => {
    this.CONSUME(K.FROM);
    this.SUBRULE(this.tableReference);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.tableReference);
          },
        },
        { ALT: () => this.SUBRULE(this.joinClause) },
      ]);
    });
  });

  private joinClause = this.RULE('joinClause', () => {
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.INNER, { LABEL: 'joinType' }) },
        { ALT: () => this.CONSUME(K.CROSS, { LABEL: 'joinType' }) },
        { ALT: () => this.CONSUME(K.NATURAL, { LABEL: 'joinType' }) },
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(K.LEFT, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(K.RIGHT, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(K.FULL, { LABEL: 'joinType' }) },
            ]);
            this.OPTION2(() => this.CONSUME(K.OUTER));
          },
        },
      ]);
    });
    this.CONSUME(K.JOIN);
    this.SUBRULE(this.tableReference);
    this.OPTION3(() => {
      this.OR3([
        {
          ALT: () => {
            this.CONSUME(K.ON);
            this.SUBRULE(this.expression);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.USING);
            this.SUBRULE(this.columnList);
          },
        },
      ]);
    });
  });

  private tableReference = this.RULE('tableReference', () => {
    this.SUBRULE(this.tablePrimary);
    // KDA writes the window before the alias (`trades OVER (...) AS t`); accept it after the alias too.
    this.OPTION(() => this.SUBRULE(this.overClause));
    this.OPTION2(() => {
      this.SUBRULE(this.alias);
      this.OPTION3(() => this.SUBRULE(this.columnList));
    });
    this.OPTION4(() => this.SUBRULE2(this.overClause));
  });

  private tablePrimary = this.RULE('tablePrimary', () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(K.STREAM));
          this.SUBRULE(this.qualifiedName);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TABLE);
          this.CONSUME(T.LParen);
          this.SUBRULE(this.functionCall);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.LParen);
          this.SUBRULE(this.query);
          this.CONSUME2(T.RParen);
        },
      },
    ]);
  });

  private columnList = this.RULE('columnList', () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.identifier) });
    this.CONSUME(T.RParen);
  });

  private groupByClause = this.RULE('groupByClause', () => {
    this.CONSUME(K.GROUP);
    this.CONSUME(K.BY);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  private staggerClause = this.RULE('staggerClause', () => {
    this.CONSUME(K.WINDOWED);
    this.CONSUME(K.BY);
    this.CONSUME(K.STAGGER);
    this.CONSUME(T.LParen);
    this.CONSUME(K.PARTITION);
    this.CONSUME2(K.BY);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'partition' }) });
    this.CONSUME(K.RANGE);
    this.SUBRULE2(this.expression, { LABEL: 'range' });
    this.CONSUME(T.RParen);
  });

  private windowClause = this.RULE('windowClause', () => {
    this.CONSUME(K.WINDOW);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.windowDefinition) });
  });

  private windowDefinition = this.RULE('windowDefinition', () => {
    this.SUBRULE(this.identifier);
    this.CONSUME(K.AS);
    this.SUBRULE(this.windowSpecification);
  });

  private overClause = this.RULE('overClause', () => {
    this.CONSUME(K.OVER);
    this.OR([
      { ALT: () => this.SUBRULE(this.windowSpecification) },
      { ALT: () => this.SUBRULE(this.identifier) },
    ]);
  });

  private windowSpecification = this.RULE('windowSpecification', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.identifier, { LABEL: 'base' }));
    this.OPTION2(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'partition' }) });
    });
    this.OPTION3(() => this.SUBRULE(this.orderByClause));
    this.OPTION4(() => this.SUBRULE(this.windowFrame));
    this.CONSUME(T.RParen);
  });

  private windowFrame = this.RULE('windowFrame', () => {
    this.OR([
      { ALT: () => this.CONSUME(K.RANGE, { LABEL: 'frameUnit' }) },
      { ALT: () => this.CONSUME(K.ROWS, { LABEL: 'frameUnit' }) },
    ]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          this.SUBRULE(this.frameBound, { LABEL: 'start' });
          this.CONSUME(K.AND);
          this.SUBRULE2(this.frameBound, { LABEL: 'end' });
        },
      },
      { ALT: () => this.SUBRULE3(this.frameBound, { LABEL: 'start' }) },
    ]);
  });

  private frameBound = this.RULE('frameBound', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.UNBOUNDED);
          this.OR2([
            { ALT: () => this.CONSUME(K.PRECEDING, { LABEL: 'direction' }) },
            { ALT: () => this.CONSUME(K.FOLLOWING, { LABEL: 'direction' }) },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.CURRENT);
          this.CONSUME(K.ROW);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.additiveExpression, { LABEL: 'offset' });
          this.OR3([
            { ALT: () => this.CONSUME2(K.PRECEDING, { LABEL: 'direction' }) },
            { ALT: () => this.CONSUME2(K.FOLLOWING, { LABEL: 'direction' }) },
          ]);
        },
      },
    ]);
  });

  private orderByClause = this.RULE('orderByClause', () => {
    this.CONSUME(K.ORDER);
    this.CONSUME(K.BY);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.orderItem) });
  });

  private orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.ASC, { LABEL: 'direction' }) },
        { ALT: () => this.CONSUME(K.DESC, { LABEL: 'direction' }) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(K.NULLS);
      this.OR2([
        { ALT: () => this.CONSUME(K.FIRST, { LABEL: 'nulls' }) },
        { ALT: () => this.CONSUME(K.LAST, { LABEL: 'nulls' }) },
      ]);
    });
  });

  // ---- expressions (lowest precedence first) ----------------------------------------------------------------------
  public expression = this.RULE('expression', () => {
    this.AT_LEAST_ONE_SEP({ SEP: K.OR, DEF: () => this.SUBRULE(this.andExpression) });
  });

  private andExpression = this.RULE('andExpression', () => {
    this.AT_LEAST_ONE_SEP({ SEP: K.AND, DEF: () => this.SUBRULE(this.notExpression) });
  });

  /** NOT NOT ... x is a loop, not recursion, so a long run of NOTs cannot overflow the stack. */
  private notExpression = this.RULE('notExpression', () => {
    this.MANY(() => this.CONSUME(K.NOT));
    this.SUBRULE(this.predicate);
  });

  private predicate = this.RULE('predicate', () => {
    this.SUBRULE(this.concatExpression);
    // Keywords that are also separators of special forms, or names:
    // - `x IN (...)` is a predicate, but POSITION(a IN b) uses IN as a separator: only IN followed by `(` is a
    //   predicate, and not when an operand continues after the `)` (see operandContinuesAfterParen);
    // - SUBSTRING(s SIMILAR p ESCAPE e) uses SIMILAR as a separator: only SIMILAR TO is a predicate;
    // - a temporal word (OVERLAPS, LEADS, ...) is a predicate only when a period follows: `PERIOD(...)`. Otherwise it
    //   is a name (`SELECT x leads FROM ...` aliases x).
    this.MANY({
      GATE: () =>
        (this.LA(1).tokenType !== K.IN || (this.LA(2).tokenType === T.LParen && !this.operandContinuesAfterParen())) &&
        (this.LA(1).tokenType !== K.SIMILAR || this.LA(2).tokenType === K.TO) &&
        this.temporalGate(),
      DEF: () => this.SUBRULE(this.predicateSuffix),
    });
  });

  /**
   * `IN ( ... )` followed by a time unit or an arithmetic/`||` operator cannot be an IN predicate (nothing may follow
   * one at that level), so the IN is POSITION's separator: `POSITION(a IN (b) || c)`, `POSITION(a IN (t1 - t2) MINUTE)`.
   */
  private operandContinuesAfterParen(): boolean {
    let depth = 0;
    for (let i = 2; ; i++) {
      const t = this.LA(i).tokenType;
      if (t === T.LParen) depth++;
      else if (t === T.RParen && --depth === 0) return CONTINUES_OPERAND.has(this.LA(i + 1).tokenType);
      else if (t.name === 'EOF') return false;
    }
  }

  private temporalGate(): boolean {
    let i = 1;
    const t1 = this.LA(1).tokenType;
    if (t1 === K.STRICTLY || t1 === K.IMMEDIATELY) i = 2;
    else if (!TEMPORAL_WORDS.has(t1)) return true;
    const word = this.LA(i).tokenType;
    if (!TEMPORAL_WORDS.has(word)) return i === 1;
    const next = this.LA(i + 1);
    if (next.tokenType === T.LParen) return true; // `(start, end)`
    if (next.tokenType === T.Identifier && next.image.toUpperCase() === 'PERIOD' && this.LA(i + 2).tokenType === T.LParen) return true;
    // `PERIOD(s, e) CONTAINS t`: CONTAINS also takes a single TIMESTAMP, so it is a predicate unless what follows ends
    // a select item (then `contains` is an alias: `SELECT x contains FROM s`)
    return i === 1 && word === K.CONTAINS && !ENDS_ITEM.has(next.tokenType) && next.tokenType.name !== 'EOF';
  }

  private predicateSuffix = this.RULE('predicateSuffix', () => {
    this.OR([
      {
        // temporal predicates: `PERIOD(s1, e1) [STRICTLY | IMMEDIATELY] OVERLAPS PERIOD(s2, e2)`
        ALT: () => {
          this.OPTION5(() => {
            this.OR7([
              { ALT: () => this.CONSUME(K.STRICTLY, { LABEL: 'temporalModifier' }) },
              { ALT: () => this.CONSUME(K.IMMEDIATELY, { LABEL: 'temporalModifier' }) },
            ]);
          });
          this.OR8([
            { ALT: () => this.CONSUME(K.CONTAINS, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.OVERLAPS, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.EQUALS, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.PRECEDES, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.SUCCEEDS, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.LEADS, { LABEL: 'temporalOp' }) },
            { ALT: () => this.CONSUME(K.LAGS, { LABEL: 'temporalOp' }) },
          ]);
          this.SUBRULE6(this.concatExpression, { LABEL: 'period' });
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.comparisonOperator);
          this.SUBRULE(this.concatExpression, { LABEL: 'right' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.IS);
          this.OPTION(() => this.CONSUME(K.NOT));
          this.OR2([
            { ALT: () => this.CONSUME(K.NULL, { LABEL: 'isWhat' }) },
            { ALT: () => this.CONSUME(K.TRUE, { LABEL: 'isWhat' }) },
            { ALT: () => this.CONSUME(K.FALSE, { LABEL: 'isWhat' }) },
            { ALT: () => this.CONSUME(K.UNKNOWN, { LABEL: 'isWhat' }) },
          ]);
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => this.CONSUME2(K.NOT));
          this.OR3([
            {
              ALT: () => {
                this.CONSUME(K.BETWEEN);
                this.OPTION3(() => {
                  this.OR4([
                    { ALT: () => this.CONSUME(K.SYMMETRIC, { LABEL: 'symmetry' }) },
                    { ALT: () => this.CONSUME(K.ASYMMETRIC, { LABEL: 'symmetry' }) },
                  ]);
                });
                this.SUBRULE2(this.concatExpression, { LABEL: 'low' });
                this.CONSUME(K.AND);
                this.SUBRULE3(this.concatExpression, { LABEL: 'high' });
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.IN);
                this.CONSUME(T.LParen);
                this.OR5({ IGNORE_AMBIGUITIES: true, DEF: [
                  // `IN (SELECT ...)` is a subquery; `IN ((SELECT ...), 2)` a list that starts with one.
                  { GATE: () => this.LA(1).tokenType === K.SELECT, ALT: () => this.SUBRULE(this.query) },
                  { ALT: () => this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'inItem' }) }) },
                ]});
                this.CONSUME(T.RParen);
              },
            },
            {
              ALT: () => {
                this.OR6([
                  { ALT: () => this.CONSUME(K.LIKE, { LABEL: 'likeOp' }) },
                  {
                    ALT: () => {
                      this.CONSUME(K.SIMILAR, { LABEL: 'likeOp' });
                      this.CONSUME(K.TO);
                    },
                  },
                ]);
                this.SUBRULE4(this.concatExpression, { LABEL: 'pattern' });
                this.OPTION4(() => {
                  this.CONSUME(K.ESCAPE);
                  this.SUBRULE5(this.concatExpression, { LABEL: 'escape' });
                });
              },
            },
          ]);
        },
      },
    ]);
  });

  private comparisonOperator = this.RULE('comparisonOperator', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Equals) },
      { ALT: () => this.CONSUME(T.NotEquals) },
      { ALT: () => this.CONSUME(T.Less) },
      { ALT: () => this.CONSUME(T.LessEquals) },
      { ALT: () => this.CONSUME(T.Greater) },
      { ALT: () => this.CONSUME(T.GreaterEquals) },
    ]);
  });

  private concatExpression = this.RULE('concatExpression', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Concat, DEF: () => this.SUBRULE(this.additiveExpression) });
  });

  private additiveExpression = this.RULE('additiveExpression', () => {
    this.SUBRULE(this.multiplicativeExpression, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.multiplicativeExpression, { LABEL: 'operand' });
    });
  });

  private multiplicativeExpression = this.RULE('multiplicativeExpression', () => {
    this.SUBRULE(this.unaryExpression, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.unaryExpression, { LABEL: 'operand' });
    });
  });

  private unaryExpression = this.RULE('unaryExpression', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) },
      ]);
    });
    this.SUBRULE(this.primary);
  });

  private primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.caseExpression) },
      { ALT: () => this.SUBRULE(this.castExpression) },
      { ALT: () => this.SUBRULE(this.cursorExpression) },
      {
        // a scalar subquery: `(SELECT ...)`
        GATE: () => this.LA(2).tokenType === K.SELECT,
        ALT: () => {
          this.CONSUME(T.LParen, { LABEL: 'subqueryOpen' });
          this.SUBRULE(this.query);
          this.CONSUME(T.RParen, { LABEL: 'subqueryClose' });
        },
      },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      {
        GATE: () => this.LA(2).tokenType === T.LParen,
        ALT: () => this.SUBRULE(this.functionCall),
      },
      { ALT: () => this.SUBRULE(this.columnReference) },
    ]);
  });

  /** `( expr )`, optionally with an interval qualifier: `(t1 - t2) SECOND`, `(t1 - t2) MINUTE TO SECOND`. */
  private parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    // `(start, end)`: a period without the PERIOD keyword (KDA's shorthand in temporal predicates)
    this.OPTION2(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression, { LABEL: 'periodEnd' });
    });
    this.CONSUME(T.RParen);
    this.OPTION(() => this.SUBRULE(this.intervalQualifier));
  });

  private intervalQualifier = this.RULE('intervalQualifier', () => {
    this.CONSUME(T.TimeUnit, { LABEL: 'unit' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.NumberLiteral, { LABEL: 'precision' });
      this.CONSUME(T.RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(K.TO);
      this.CONSUME2(T.TimeUnit, { LABEL: 'toUnit' });
    });
  });

  private columnReference = this.RULE('columnReference', () => {
    this.SUBRULE(this.qualifiedName);
  });

  public functionCall = this.RULE('functionCall', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        {
          ALT: () => {
            this.OPTION2(() => {
              this.OR2([
                { ALT: () => this.CONSUME(K.DISTINCT, { LABEL: 'quantifier' }) },
                { ALT: () => this.CONSUME(K.ALL, { LABEL: 'quantifier' }) },
              ]);
            });
            this.SUBRULE(this.callArgument, { LABEL: 'argument' });
            this.MANY(() => {
              this.SUBRULE(this.argumentSeparator, { LABEL: 'separator' });
              this.SUBRULE2(this.callArgument, { LABEL: 'argument' });
            });
          },
        },
      ]);
    });
    this.CONSUME(T.RParen);
    this.OPTION3(() => this.SUBRULE(this.overClause));
  });

  private argumentSeparator = this.RULE('argumentSeparator', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Comma) },
      { ALT: () => this.CONSUME(K.FROM) },
      { ALT: () => this.CONSUME(K.FOR) },
      { ALT: () => this.CONSUME(K.IN) },
      { ALT: () => this.CONSUME(K.TO) },
      { ALT: () => this.CONSUME(K.BY) },
      { ALT: () => this.CONSUME(K.PLACING) },
      // SUBSTRING(s SIMILAR pattern ESCAPE e)
      { ALT: () => this.CONSUME(K.SIMILAR) },
      { ALT: () => this.CONSUME(K.ESCAPE) },
    ]);
  });

  /** An argument; TRIM's BOTH/LEADING/TRAILING may stand before it (or alone: `TRIM(BOTH FROM s)`). */
  private callArgument = this.RULE('callArgument', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(K.BOTH, { LABEL: 'trimSide' }) },
            { ALT: () => this.CONSUME(K.LEADING, { LABEL: 'trimSide' }) },
            { ALT: () => this.CONSUME(K.TRAILING, { LABEL: 'trimSide' }) },
          ]);
          this.OPTION(() => this.SUBRULE(this.expression));
        },
      },
      { ALT: () => this.SUBRULE2(this.expression) },
    ]);
  });

  private caseExpression = this.RULE('caseExpression', () => {
    this.CONSUME(K.CASE);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => {
      this.CONSUME(K.WHEN);
      this.SUBRULE2(this.expression, { LABEL: 'when' });
      this.CONSUME(K.THEN);
      this.SUBRULE3(this.expression, { LABEL: 'then' });
    });
    this.OPTION2(() => {
      this.CONSUME(K.ELSE);
      this.SUBRULE4(this.expression, { LABEL: 'else' });
    });
    this.CONSUME(K.END);
  });

  private castExpression = this.RULE('castExpression', () => {
    this.CONSUME(K.CAST);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(K.AS);
    this.SUBRULE(this.dataType);
    this.CONSUME(T.RParen);
  });

  private cursorExpression = this.RULE('cursorExpression', () => {
    this.CONSUME(K.CURSOR);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.query);
    this.CONSUME(T.RParen);
  });

  private literal = this.RULE('literal', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.UnicodeString);
          this.OPTION(() => {
            this.CONSUME(K.UESCAPE);
            this.CONSUME3(T.StringLiteral, { LABEL: 'uescape' });
          });
        },
      },
      { ALT: () => this.CONSUME(T.BinaryString) },
      { ALT: () => this.CONSUME(K.TRUE) },
      { ALT: () => this.CONSUME(K.FALSE) },
      { ALT: () => this.CONSUME(K.UNKNOWN) },
      { ALT: () => this.CONSUME(K.NULL) },
      { ALT: () => this.SUBRULE(this.intervalLiteral) },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(K.TIMESTAMP, { LABEL: 'datetimeKind' }) },
            { ALT: () => this.CONSUME(K.DATE, { LABEL: 'datetimeKind' }) },
            { ALT: () => this.CONSUME(K.TIME, { LABEL: 'datetimeKind' }) },
          ]);
          this.CONSUME2(T.StringLiteral, { LABEL: 'datetimeText' });
        },
      },
    ]);
  });

  private intervalLiteral = this.RULE('intervalLiteral', () => {
    this.CONSUME(K.INTERVAL);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
      ]);
    });
    this.CONSUME(T.StringLiteral);
    this.SUBRULE(this.intervalQualifier);
  });

  // ---- names ------------------------------------------------------------------------------------------------------
  public qualifiedName = this.RULE('qualifiedName', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Dot, DEF: () => this.SUBRULE(this.identifier) });
  });

  public identifier = this.RULE('identifier', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.QuotedIdentifier) },
    ]);
  });
}

/** Building a chevrotain parser analyses the grammar (tens of ms), so one instance serves every parse. */
let instance: SqlParser | undefined;
export function sqlParser(): SqlParser {
  return (instance ??= new SqlParser());
}

export type { CstNode, IToken };
