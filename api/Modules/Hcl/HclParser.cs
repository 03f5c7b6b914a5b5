using System.Text;

namespace PartnerBot.Api.Modules.Hcl;

/// <summary>
/// Recursive-descent parser for the HCL native syntax as Terraform uses it (the grammar of HashiCorp's
/// <c>hclsyntax</c> package). It works on the source characters directly, without a separate token list,
/// because templates switch lexical modes mid-expression. Nesting is bounded by <see cref="MaxNestingDepth"/>
/// so hostile input fails with a positioned error instead of exhausting the stack.
/// </summary>
public sealed class HclParser
{
    public const int MaxNestingDepth = 200;

    private readonly string _src;
    private readonly string _file;
    private int _pos;
    private int _depth;
    private bool _newlinesAreSpace;

    // Flush-heredoc processing: the first pass records line starts, the second skips the common indentation.
    private List<HeredocLine>? _heredocLines;
    private HashSet<int>? _heredocTrimOffsets;
    private int _heredocTrim;
    private bool _stripLeading;

    private static readonly System.Buffers.SearchValues<char> QuotedSpecials = System.Buffers.SearchValues.Create("\"\\$%\n\r");
    private static readonly System.Buffers.SearchValues<char> HeredocSpecials = System.Buffers.SearchValues.Create("$%\n\r");

    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _names =
        new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private HclParser(string source, string fileName)
    {
        _src = source;
        _file = fileName;
    }

    /// <summary>Parses a whole configuration file; throws <see cref="HclSyntaxException"/> on the first error.</summary>
    public static HclFile ParseFile(string source, string fileName)
    {
        var parser = new HclParser(source, fileName);
        if (source.Length > 0 && source[0] == '\uFEFF') parser._pos = 1;
        var body = parser.ParseBody(inBlock: false, openPos: 0);
        return new HclFile(fileName, source, body);
    }

    /// <summary>Parses a standalone expression (e.g. a condition typed in a test).</summary>
    public static HclExpression ParseExpression(string source, string fileName = "<expression>")
    {
        var parser = new HclParser(source, fileName) { _newlinesAreSpace = true };
        var expression = parser.ParseExpr();
        parser.SkipTrivia();
        if (!parser.AtEnd) throw parser.Error(parser._pos, $"Extra characters after the expression: found {parser.Describe(parser._pos)}.");
        return expression;
    }

    // ---------- structure ----------

    private HclBody ParseBody(bool inBlock, int openPos)
    {
        var attributes = new List<HclAttribute>();
        var blocks = new List<HclBlock>();
        while (true)
        {
            SkipTriviaAndNewlines();
            if (AtEnd)
            {
                if (inBlock) throw Error(openPos, "Unclosed configuration block: there is no closing brace for this block.");
                break;
            }
            if (Cur == '}')
            {
                if (inBlock) { _pos++; break; }
                throw Error(_pos, "Argument or block definition required: found an unexpected '}'.");
            }
            ParseBodyItem(attributes, blocks);
        }
        return new HclBody(attributes, blocks);
    }

    private void ParseBodyItem(List<HclAttribute> attributes, List<HclBlock> blocks)
    {
        var start = _pos;
        if (!IsIdentStart(Cur)) throw Error(_pos, $"Argument or block definition required: found {Describe(_pos)}.");
        var name = ReadIdentifier();
        SkipTrivia();
        if (Cur == '=' && Peek(1) != '=')
        {
            _pos++;
            var expression = ParseExpr();
            AddAttribute(attributes, new HclAttribute(name, expression, start));
            ExpectEndOfLine("An argument definition must end with a newline.");
            return;
        }

        var labels = new List<string>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd) throw Error(_pos, $"Invalid block definition: expected a label or '{{' after '{name}', found the end of the file.");
            if (Cur == '"')
            {
                var labelStart = _pos;
                var label = ParseQuotedTemplate();
                if (!label.IsLiteral) throw Error(labelStart, "Invalid block label: templates are not allowed in block labels.");
                labels.Add(label.LiteralValue);
            }
            else if (IsIdentStart(Cur)) labels.Add(ReadIdentifier());
            else if (Cur == '{') break;
            else throw Error(_pos, $"Invalid block definition: expected a label or '{{', found {Describe(_pos)}.");
        }

        var openPos = _pos;
        _pos++;
        Enter(openPos);
        var savedNewlines = _newlinesAreSpace;
        _newlinesAreSpace = false;
        SkipTrivia();
        HclBody body;
        if (AtEnd || AtNewline) body = ParseBody(inBlock: true, openPos);
        else if (Cur == '}')
        {
            _pos++;
            body = new HclBody([], []);
        }
        else
        {
            // A single-line block holds at most one argument: `name { arg = value }`.
            var attrStart = _pos;
            if (!IsIdentStart(Cur)) throw Error(_pos, $"Argument definition required in a single-line block: found {Describe(_pos)}.");
            var attrName = ReadIdentifier();
            SkipTrivia();
            if (Cur != '=' || Peek(1) == '=') throw Error(_pos, "Invalid single-argument block definition: a single-line block definition can contain only a single argument.");
            _pos++;
            var expression = ParseExpr();
            SkipTrivia();
            if (Cur != '}') throw Error(_pos, "Invalid single-argument block definition: a single-line block definition must end with '}' on the same line.");
            _pos++;
            body = new HclBody([new HclAttribute(attrName, expression, attrStart)], []);
        }
        _newlinesAreSpace = savedNewlines;
        _depth--;
        blocks.Add(new HclBlock(name, labels, body, start));
        ExpectEndOfLine("A block definition must end with a newline.");
    }

    private void AddAttribute(List<HclAttribute> attributes, HclAttribute attribute)
    {
        foreach (var existing in attributes)
        {
            if (existing.Name != attribute.Name) continue;
            var (line, _) = HclSyntaxException.LineColumn(_src, existing.Start);
            throw Error(attribute.Start, $"Attribute redefined: the argument \"{attribute.Name}\" was already set at line {line}.");
        }
        attributes.Add(attribute);
    }

    private void ExpectEndOfLine(string why)
    {
        SkipTrivia();
        if (AtEnd) return;
        if (AtNewline)
        {
            ConsumeNewline();
            return;
        }
        throw Error(_pos, $"Missing newline after definition: {why} Found {Describe(_pos)}.");
    }

    // ---------- expressions ----------

    private HclExpression ParseExpr()
    {
        Enter(_pos);
        var condition = ParseBinary(1);
        SkipTrivia();
        HclExpression result = condition;
        if (Cur == '?')
        {
            _pos++;
            var trueResult = ParseExpr();
            SkipTrivia();
            Expect(':', "Missing false expression in conditional: expected ':'");
            var falseResult = ParseExpr();
            result = new HclConditional(condition, trueResult, falseResult, condition.Start, falseResult.End);
        }
        _depth--;
        return result;
    }

    private HclExpression ParseBinary(int minPrecedence)
    {
        var left = ParseUnary();
        var chained = 0;
        while (true)
        {
            SkipTrivia();
            var (op, precedence, length) = PeekBinaryOperator();
            if (precedence == 0 || precedence < minPrecedence) break;
            _pos += length;
            var right = ParseBinary(precedence + 1);
            left = new HclBinary(op, left, right, left.Start, right.End);
            chained++;
            Enter(left.Start); // a long chain builds a deep tree; count it against the nesting limit
        }
        _depth -= chained;
        return left;
    }

    private (HclBinaryOperator Op, int Precedence, int Length) PeekBinaryOperator()
    {
        if (AtEnd) return default;
        var next = Peek(1);
        return Cur switch
        {
            '|' when next == '|' => (HclBinaryOperator.Or, 1, 2),
            '&' when next == '&' => (HclBinaryOperator.And, 2, 2),
            '=' when next == '=' => (HclBinaryOperator.Equal, 3, 2),
            '!' when next == '=' => (HclBinaryOperator.NotEqual, 3, 2),
            '<' when next == '=' => (HclBinaryOperator.LessOrEqual, 4, 2),
            '<' => (HclBinaryOperator.Less, 4, 1),
            '>' when next == '=' => (HclBinaryOperator.GreaterOrEqual, 4, 2),
            '>' => (HclBinaryOperator.Greater, 4, 1),
            '+' => (HclBinaryOperator.Add, 5, 1),
            '-' => (HclBinaryOperator.Subtract, 5, 1),
            '*' => (HclBinaryOperator.Multiply, 6, 1),
            '/' => (HclBinaryOperator.Divide, 6, 1),
            '%' => (HclBinaryOperator.Modulo, 6, 1),
            _ => default,
        };
    }

    private HclExpression ParseUnary()
    {
        SkipTrivia();
        if (!AtEnd && (Cur == '!' || Cur == '-'))
        {
            var start = _pos;
            var op = Cur;
            _pos++;
            Enter(start);
            var operand = ParseUnary();
            _depth--;
            return new HclUnary(op, operand, start, operand.End);
        }
        return ParsePostfix();
    }

    private HclExpression ParsePostfix()
    {
        var expression = ParsePrimary();
        var chained = 0;
        while (true)
        {
            var save = _pos;
            SkipTrivia();
            if (Cur == '.' && !AtEnd)
            {
                var next = Peek(1);
                if (next == '*')
                {
                    _pos += 2;
                    var each = ParseSplatTraversal(fullSplat: false);
                    expression = new HclSplat(expression, each, expression.Start, Math.Max(_pos, each.End));
                }
                else if (char.IsAsciiDigit(next))
                {
                    // Legacy index syntax: `list.0`.
                    _pos++;
                    var digitsStart = _pos;
                    while (char.IsAsciiDigit(Cur)) _pos++;
                    var key = new HclLiteral(HclLiteralKind.Number, _src[digitsStart.._pos], false, digitsStart, _pos);
                    expression = new HclIndex(expression, key, expression.Start, _pos);
                }
                else if (IsIdentStart(next))
                {
                    _pos++;
                    var name = ReadIdentifier();
                    expression = new HclGetAttribute(expression, name, expression.Start, _pos);
                }
                else if (next == '.')
                {
                    _pos = save; // `...` after a final function argument
                    break;
                }
                else throw Error(_pos + 1, $"Invalid attribute name: expected a name after '.', found {Describe(_pos + 1)}.");
            }
            else if (Cur == '[' && !AtEnd)
            {
                if (IsFullSplat())
                {
                    _pos = _src.IndexOf(']', _pos) + 1;
                    var spanEnd = _pos;
                    var each = ParseSplatTraversal(fullSplat: true);
                    expression = new HclSplat(expression, each, expression.Start, Math.Max(spanEnd, each.End));
                }
                else
                {
                    var key = ParseIndexKey();
                    expression = new HclIndex(expression, key, expression.Start, _pos);
                }
            }
            else
            {
                _pos = save;
                break;
            }
            chained++;
            Enter(expression.Start);
        }
        _depth -= chained;
        return expression;
    }

    private bool IsFullSplat()
    {
        var p = _pos + 1;
        while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t')) p++;
        if (p >= _src.Length || _src[p] != '*') return false;
        p++;
        while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t')) p++;
        return p < _src.Length && _src[p] == ']';
    }

    /// <summary>Parses <c>[ key ]</c> at the cursor (newlines inside count as space) and returns the key.</summary>
    private HclExpression ParseIndexKey()
    {
        var open = _pos;
        _pos++;
        var saved = _newlinesAreSpace;
        _newlinesAreSpace = true;
        var key = ParseExpr();
        SkipTrivia();
        if (Cur != ']' || AtEnd) throw Error(_pos, $"Missing close bracket on index: the index operator opened at {Where(open)} must be closed with ']', found {Describe(_pos)}.");
        _pos++;
        _newlinesAreSpace = saved;
        return key;
    }

    /// <summary>The traversal after a splat operator, applied to each element (attribute splats allow only attributes).</summary>
    private HclExpression ParseSplatTraversal(bool fullSplat)
    {
        HclExpression each = new HclSplatItem(_pos, _pos);
        var chained = 0;
        while (true)
        {
            var save = _pos;
            SkipTrivia();
            if (Cur == '.' && !AtEnd && IsIdentStart(Peek(1)))
            {
                _pos++;
                var name = ReadIdentifier();
                each = new HclGetAttribute(each, name, each.Start, _pos);
            }
            else if (Cur == '.' && !AtEnd && char.IsAsciiDigit(Peek(1)))
            {
                _pos++;
                var digitsStart = _pos;
                while (char.IsAsciiDigit(Cur)) _pos++;
                each = new HclIndex(each, new HclLiteral(HclLiteralKind.Number, _src[digitsStart.._pos], false, digitsStart, _pos), each.Start, _pos);
            }
            else if (fullSplat && Cur == '[' && !AtEnd && !IsFullSplat())
            {
                var key = ParseIndexKey();
                each = new HclIndex(each, key, each.Start, _pos);
            }
            else
            {
                _pos = save;
                break;
            }
            chained++;
            Enter(save);
        }
        _depth -= chained;
        return each;
    }

    private HclExpression ParsePrimary()
    {
        SkipTrivia();
        if (AtEnd) throw Error(_pos, "Invalid expression: expected the start of an expression, but found the end of the file.");
        var start = _pos;
        var c = Cur;
        if (char.IsAsciiDigit(c)) return ParseNumber();
        switch (c)
        {
            case '"':
                return ParseQuotedTemplate();
            case '<' when Peek(1) == '<':
                return ParseHeredoc();
            case '(':
            {
                _pos++;
                var saved = _newlinesAreSpace;
                _newlinesAreSpace = true;
                var inner = ParseExpr();
                SkipTrivia();
                if (Cur != ')' || AtEnd) throw Error(_pos, $"Unbalanced parentheses: expected ')' to close the '(' at {Where(start)}, found {Describe(_pos)}.");
                _pos++;
                _newlinesAreSpace = saved;
                return new HclParentheses(inner, start, _pos);
            }
            case '[':
                return ParseTupleOrFor();
            case '{':
                return ParseObjectOrFor();
        }
        if (IsIdentStart(c))
        {
            var name = ReadIdentifier();
            while (Cur == ':' && Peek(1) == ':' && IsIdentStart(Peek(2)))
            {
                _pos += 2;
                name += "::" + ReadIdentifier();
            }
            var nameEnd = _pos;
            SkipTrivia();
            if (Cur == '(' && !AtEnd) return ParseFunctionCall(name, start);
            _pos = nameEnd;
            if (name.Contains("::")) throw Error(start, $"Invalid function call: '{name}' must be followed by an argument list.");
            return name switch
            {
                "true" => new HclLiteral(HclLiteralKind.Bool, null, true, start, _pos),
                "false" => new HclLiteral(HclLiteralKind.Bool, null, false, start, _pos),
                "null" => new HclLiteral(HclLiteralKind.Null, null, false, start, _pos),
                _ => new HclVariable(name, start, _pos),
            };
        }
        throw Error(_pos, $"Invalid expression: expected the start of an expression, but found {Describe(_pos)}.");
    }

    private HclLiteral ParseNumber()
    {
        var start = _pos;
        while (char.IsAsciiDigit(Cur)) _pos++;
        if (Cur == '.' && (char.IsAsciiDigit(Peek(1)) || ((Peek(1) is 'e' or 'E') && (char.IsAsciiDigit(Peek(2)) || (Peek(2) is '+' or '-' && char.IsAsciiDigit(Peek(3)))))))
        {
            _pos++;
            while (char.IsAsciiDigit(Cur)) _pos++;
        }
        if (Cur is 'e' or 'E' && !AtEnd)
        {
            var p = _pos + 1;
            if (p < _src.Length && _src[p] is '+' or '-') p++;
            if (p < _src.Length && char.IsAsciiDigit(_src[p]))
            {
                _pos = p;
                while (char.IsAsciiDigit(Cur)) _pos++;
            }
        }
        return new HclLiteral(HclLiteralKind.Number, _src[start.._pos], false, start, _pos);
    }

    private HclExpression ParseFunctionCall(string name, int start)
    {
        var open = _pos;
        _pos++;
        Enter(open);
        var saved = _newlinesAreSpace;
        _newlinesAreSpace = true;
        var arguments = new List<HclExpression>();
        var expandFinal = false;
        while (true)
        {
            SkipTrivia();
            if (AtEnd) throw Error(open, $"Unterminated function call: the argument list of '{name}' opened here is never closed with ')'.");
            if (Cur == ')') break;
            if (expandFinal) throw Error(_pos, "Missing closing parenthesis: an expanded argument ('...') must be the last argument.");
            arguments.Add(ParseExpr());
            SkipTrivia();
            if (Cur == '.' && Peek(1) == '.' && Peek(2) == '.')
            {
                _pos += 3;
                expandFinal = true;
                SkipTrivia();
            }
            if (AtEnd) throw Error(open, $"Unterminated function call: the argument list of '{name}' opened here is never closed with ')'.");
            if (Cur == ',') { _pos++; continue; }
            if (Cur == ')') break;
            throw Error(_pos, $"Missing argument separator: expected ',' or ')' in the call to '{name}', found {Describe(_pos)}.");
        }
        _pos++;
        _newlinesAreSpace = saved;
        _depth--;
        return new HclFunctionCall(name, arguments, expandFinal, start, _pos);
    }

    private HclExpression ParseTupleOrFor()
    {
        var start = _pos;
        _pos++;
        Enter(start);
        var saved = _newlinesAreSpace;
        _newlinesAreSpace = true;
        SkipTrivia();
        HclExpression result;
        if (AtForKeyword()) result = ParseFor(start, isObject: false);
        else
        {
            var items = new List<HclExpression>();
            while (true)
            {
                SkipTrivia();
                if (AtEnd) throw Error(start, "Unterminated tuple: the '[' opened here is never closed with ']'.");
                if (Cur == ']') break;
                items.Add(ParseExpr());
                SkipTrivia();
                if (AtEnd) throw Error(start, "Unterminated tuple: the '[' opened here is never closed with ']'.");
                if (Cur == ',') { _pos++; continue; }
                if (Cur == ']') break;
                throw Error(_pos, $"Missing item separator: expected ',' or ']' in the tuple, found {Describe(_pos)}.");
            }
            _pos++;
            result = new HclTuple(items, start, _pos);
        }
        _newlinesAreSpace = saved;
        _depth--;
        return result;
    }

    private HclExpression ParseObjectOrFor()
    {
        var start = _pos;
        _pos++;
        Enter(start);
        var saved = _newlinesAreSpace;
        SkipTriviaAndNewlines();
        HclExpression result;
        if (AtForKeyword())
        {
            _newlinesAreSpace = true;
            result = ParseFor(start, isObject: true);
        }
        else
        {
            _newlinesAreSpace = false; // newlines separate the items of an object
            var items = new List<HclObjectItem>();
            while (true)
            {
                SkipTriviaAndNewlines();
                if (AtEnd) throw Error(start, "Unterminated object: the '{' opened here is never closed with '}'.");
                if (Cur == '}') break;
                var key = ParseExpr();
                SkipTrivia();
                if (AtEnd) throw Error(start, "Unterminated object: the '{' opened here is never closed with '}'.");
                if ((Cur == '=' && Peek(1) is not ('=' or '>')) || Cur == ':') _pos++;
                else throw Error(_pos, $"Missing key/value separator: expected '=' or ':' after the object key, found {Describe(_pos)}.");
                var value = ParseExpr();
                items.Add(new HclObjectItem(key, value));
                SkipTrivia();
                if (AtEnd) throw Error(start, "Unterminated object: the '{' opened here is never closed with '}'.");
                if (Cur == ',') { _pos++; continue; }
                if (AtNewline) { ConsumeNewline(); continue; }
                if (Cur == '}') break;
                throw Error(_pos, $"Missing attribute separator: expected a newline or comma before the next attribute, found {Describe(_pos)}.");
            }
            _pos++;
            result = new HclObject(items, start, _pos);
        }
        _newlinesAreSpace = saved;
        _depth--;
        return result;
    }

    private bool AtForKeyword()
    {
        if (AtEnd || Cur != 'f' || string.CompareOrdinal(_src, _pos, "for", 0, 3) != 0) return false;
        var p = _pos + 3;
        if (p >= _src.Length || !char.IsWhiteSpace(_src[p])) return false;
        while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
        return p < _src.Length && IsIdentStart(_src[p]);
    }

    private HclFor ParseFor(int start, bool isObject)
    {
        var close = isObject ? '}' : ']';
        _pos += 3;
        SkipTrivia();
        var first = ExpectIdentifier("Invalid 'for' expression: expected an iterator name after 'for'");
        string? keyVariable = null;
        var valueVariable = first;
        SkipTrivia();
        if (Cur == ',' && !AtEnd)
        {
            _pos++;
            SkipTrivia();
            keyVariable = first;
            valueVariable = ExpectIdentifier("Invalid 'for' expression: expected a value iterator name after ','");
            SkipTrivia();
        }
        if (ExpectIdentifier("Invalid 'for' expression: expected 'in'") != "in") throw Error(_pos, "Invalid 'for' expression: expected 'in' after the iterator names.");
        var collection = ParseExpr();
        SkipTrivia();
        Expect(':', "Invalid 'for' expression: expected ':' after the collection");
        HclExpression? keyResult = null;
        if (isObject)
        {
            keyResult = ParseExpr();
            SkipTrivia();
            if (Cur != '=' || Peek(1) != '>') throw Error(_pos, $"Invalid 'for' expression: expected '=>' after the key expression, found {Describe(_pos)}.");
            _pos += 2;
        }
        var valueResult = ParseExpr();
        SkipTrivia();
        var grouping = false;
        if (isObject && Cur == '.' && Peek(1) == '.' && Peek(2) == '.')
        {
            _pos += 3;
            grouping = true;
            SkipTrivia();
        }
        HclExpression? condition = null;
        if (Cur == 'i' && Peek(1) == 'f' && !IsIdentChar(Peek(2)))
        {
            _pos += 2;
            condition = ParseExpr();
            SkipTrivia();
        }
        if (AtEnd || Cur != close) throw Error(_pos, $"Invalid 'for' expression: expected '{close}' to close it, found {Describe(_pos)}.");
        _pos++;
        return new HclFor(keyVariable, valueVariable, collection, keyResult, valueResult, condition, grouping, start, _pos);
    }

    // ---------- templates ----------

    private enum TemplateMode { Quoted, Heredoc }

    private readonly record struct HeredocLine(int Offset, int Spaces, bool Blank);

    private HclTemplate ParseQuotedTemplate()
    {
        var start = _pos;
        _pos++;
        // Fast path: most strings have no escapes, templates or strip markers, so slice them straight from the source.
        var plainLength = _src.AsSpan(_pos).IndexOfAny(QuotedSpecials);
        if (plainLength >= 0 && _src[_pos + plainLength] == '"' && !_stripLeading)
        {
            var value = plainLength == 0 ? "" : _src.Substring(_pos, plainLength);
            _pos += plainLength + 1;
            return new HclTemplate(value.Length == 0 ? [] : [new HclTemplateLiteral(value)], false, start, _pos);
        }
        Enter(start);
        var parts = ParseTemplateSequence(TemplateMode.Quoted, start, null, out var closing);
        if (closing is not null) throw Error(_pos, $"Unexpected '%{{ {closing} }}' directive: there is no matching opening directive.");
        _depth--;
        return new HclTemplate(parts, false, start, _pos);
    }

    private HclTemplate ParseHeredoc()
    {
        var start = _pos;
        _pos += 2;
        var flush = false;
        if (Cur == '-') { flush = true; _pos++; }
        if (!IsIdentStart(Cur) || AtEnd) throw Error(_pos, $"Invalid heredoc: expected a delimiter name after '<<', found {Describe(_pos)}.");
        var marker = ReadIdentifier();
        if (!AtNewline) throw Error(_pos, $"Invalid heredoc: the delimiter '{marker}' must be followed directly by a newline, found {Describe(_pos)}.");
        ConsumeNewline();
        Enter(start);
        var bodyStart = _pos;
        var savedStrip = _stripLeading;

        if (flush)
        {
            // Pass 1 finds the line starts in literal context; pass 2 removes the smallest common indentation.
            var outerLines = _heredocLines;
            var outerTrim = _heredocTrimOffsets;
            var outerTrimCount = _heredocTrim;
            _heredocLines = [];
            _heredocTrimOffsets = null;
            ParseTemplateSequence(TemplateMode.Heredoc, start, marker, out _);
            var min = int.MaxValue;
            foreach (var line in _heredocLines)
                if (!line.Blank) min = Math.Min(min, line.Spaces);
            var trim = new HashSet<int>();
            if (min is > 0 and < int.MaxValue)
                foreach (var line in _heredocLines)
                    if (!line.Blank) trim.Add(line.Offset);
            _heredocLines = null;
            _heredocTrimOffsets = trim;
            _heredocTrim = min == int.MaxValue ? 0 : min;
            _pos = bodyStart;
            _stripLeading = savedStrip;
            var parts = ParseTemplateSequence(TemplateMode.Heredoc, start, marker, out var closing);
            _heredocLines = outerLines;
            _heredocTrimOffsets = outerTrim;
            _heredocTrim = outerTrimCount;
            if (closing is not null) throw Error(_pos, $"Unexpected '%{{ {closing} }}' directive: there is no matching opening directive.");
            _depth--;
            return new HclTemplate(parts, true, start, _pos);
        }
        else
        {
            var outerLines = _heredocLines;
            var outerTrim = _heredocTrimOffsets;
            _heredocLines = null;
            _heredocTrimOffsets = null;
            var parts = ParseTemplateSequence(TemplateMode.Heredoc, start, marker, out var closing);
            _heredocLines = outerLines;
            _heredocTrimOffsets = outerTrim;
            if (closing is not null) throw Error(_pos, $"Unexpected '%{{ {closing} }}' directive: there is no matching opening directive.");
            _depth--;
            return new HclTemplate(parts, true, start, _pos);
        }
    }

    /// <summary>
    /// Reads template parts until the end of the template (closing quote or heredoc delimiter line, which is
    /// consumed) or until an <c>else</c>/<c>endif</c>/<c>endfor</c> directive, whose keyword is returned in
    /// <paramref name="closingDirective"/>.
    /// </summary>
    private List<HclTemplatePart> ParseTemplateSequence(TemplateMode mode, int templateStart, string? marker, out string? closingDirective)
    {
        var parts = new List<HclTemplatePart>();
        var literal = new StringBuilder();
        var atLineStart = mode == TemplateMode.Heredoc && IsAtHeredocLineStart(templateStart);
        closingDirective = null;

        while (true)
        {
            if (mode == TemplateMode.Heredoc && atLineStart)
            {
                if (AtHeredocEnd(marker!)) break;
                OnHeredocLineStart();
                atLineStart = false;
            }
            if (AtEnd)
            {
                throw mode == TemplateMode.Quoted
                    ? Error(templateStart, "Unterminated template string: no closing '\"' before the end of the file.")
                    : Error(templateStart, $"Unterminated heredoc: no line '{marker}' closes the heredoc opened here.");
            }
            var c = _src[_pos];
            if (mode == TemplateMode.Quoted)
            {
                if (c == '"') { _pos++; break; }
                if (c == '\n' || c == '\r')
                    throw Error(_pos, "Invalid multi-line string: quoted strings may not be split over multiple lines; use a heredoc or the \\n escape.");
                if (c == '\\')
                {
                    AppendLiteral(literal, ReadEscape());
                    continue;
                }
            }
            else if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                var length = c == '\r' ? 2 : 1;
                AppendLiteral(literal, _src.AsSpan(_pos, length));
                _pos += length;
                atLineStart = true;
                continue;
            }

            if ((c == '$' || c == '%') && Peek(1) == c && Peek(2) == '{')
            {
                AppendLiteral(literal, c == '$' ? "${" : "%{");
                _pos += 3;
                continue;
            }
            if (c == '$' && Peek(1) == '{')
            {
                var interpStart = _pos;
                _pos += 2;
                if (Cur == '~') { _pos++; TrimTrailing(literal, mode); }
                FlushLiteral(parts, literal);
                var saved = _newlinesAreSpace;
                _newlinesAreSpace = true;
                var expression = ParseExpr();
                SkipTrivia();
                if (Cur == '~' && Peek(1) == '}') { _pos++; _stripLeading = true; }
                if (AtEnd || Cur != '}') throw Error(_pos, $"Unterminated template interpolation: expected '}}' to close the '${{' at {Where(interpStart)}, found {Describe(_pos)}.");
                _pos++;
                _newlinesAreSpace = saved;
                parts.Add(new HclTemplateInterpolation(expression));
                continue;
            }
            if (c == '%' && Peek(1) == '{')
            {
                var directiveStart = _pos;
                _pos += 2;
                if (Cur == '~') { _pos++; TrimTrailing(literal, mode); }
                FlushLiteral(parts, literal);
                var saved = _newlinesAreSpace;
                _newlinesAreSpace = true;
                SkipTrivia();
                var keyword = IsIdentStart(Cur) && !AtEnd ? ReadIdentifier() : "";
                switch (keyword)
                {
                    case "if":
                    {
                        var condition = ParseExpr();
                        EndDirective(directiveStart);
                        _newlinesAreSpace = saved;
                        Enter(directiveStart);
                        var then = ParseTemplateSequence(mode, templateStart, marker, out var closing);
                        IReadOnlyList<HclTemplatePart> otherwise = [];
                        if (closing == "else") otherwise = ParseTemplateSequence(mode, templateStart, marker, out closing);
                        if (closing != "endif") throw Error(directiveStart, "Unterminated template directive: this 'if' has no matching '%{ endif }'.");
                        _depth--;
                        parts.Add(new HclTemplateIf(condition, then, otherwise));
                        atLineStart = mode == TemplateMode.Heredoc && IsAtHeredocLineStart(templateStart);
                        continue;
                    }
                    case "for":
                    {
                        SkipTrivia();
                        var first = ExpectIdentifier("Invalid template 'for' directive: expected an iterator name");
                        string? keyVariable = null;
                        var valueVariable = first;
                        SkipTrivia();
                        if (Cur == ',')
                        {
                            _pos++;
                            SkipTrivia();
                            keyVariable = first;
                            valueVariable = ExpectIdentifier("Invalid template 'for' directive: expected a value iterator name");
                            SkipTrivia();
                        }
                        if (ExpectIdentifier("Invalid template 'for' directive: expected 'in'") != "in") throw Error(_pos, "Invalid template 'for' directive: expected 'in'.");
                        var collection = ParseExpr();
                        EndDirective(directiveStart);
                        _newlinesAreSpace = saved;
                        Enter(directiveStart);
                        var body = ParseTemplateSequence(mode, templateStart, marker, out var closing);
                        if (closing != "endfor") throw Error(directiveStart, "Unterminated template directive: this 'for' has no matching '%{ endfor }'.");
                        _depth--;
                        parts.Add(new HclTemplateFor(keyVariable, valueVariable, collection, body));
                        atLineStart = mode == TemplateMode.Heredoc && IsAtHeredocLineStart(templateStart);
                        continue;
                    }
                    case "else" or "endif" or "endfor":
                        EndDirective(directiveStart);
                        _newlinesAreSpace = saved;
                        closingDirective = keyword;
                        return parts;
                    default:
                        throw Error(directiveStart, $"Invalid template directive: expected 'if', 'for', 'else', 'endif' or 'endfor' after '%{{', found {Describe(_pos)}.");
                }
            }

            // A run of plain characters up to the next character that needs attention.
            var runStart = _pos;
            _pos++;
            var runLength = _src.AsSpan(_pos).IndexOfAny(mode == TemplateMode.Quoted ? QuotedSpecials : HeredocSpecials);
            _pos = runLength < 0 ? _src.Length : _pos + runLength;
            AppendLiteral(literal, _src.AsSpan(runStart, _pos - runStart));
        }

        FlushLiteral(parts, literal);
        return parts;
    }

    private void EndDirective(int directiveStart)
    {
        SkipTrivia();
        if (Cur == '~' && Peek(1) == '}') { _pos++; _stripLeading = true; }
        if (AtEnd || Cur != '}') throw Error(_pos, $"Unterminated template directive: expected '}}' to close the '%{{' at {Where(directiveStart)}, found {Describe(_pos)}.");
        _pos++;
    }

    private bool IsAtHeredocLineStart(int templateStart) =>
        _pos > templateStart && _pos > 0 && _src[_pos - 1] == '\n';

    private bool AtHeredocEnd(string marker)
    {
        var p = _pos;
        while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t')) p++;
        if (p + marker.Length > _src.Length || string.CompareOrdinal(_src, p, marker, 0, marker.Length) != 0) return false;
        var end = p + marker.Length;
        if (end < _src.Length && !(_src[end] == '\n' || (_src[end] == '\r' && end + 1 < _src.Length && _src[end + 1] == '\n'))) return false;
        _pos = end;
        return true;
    }

    private void OnHeredocLineStart()
    {
        if (_heredocLines is not null)
        {
            var p = _pos;
            while (p < _src.Length && _src[p] is not ('\n' or '\r') && char.IsWhiteSpace(_src[p])) p++;
            var atNewline = p < _src.Length && (_src[p] == '\n' || (_src[p] == '\r' && p + 1 < _src.Length && _src[p + 1] == '\n'));
            var startsWithTemplate = p == _pos && p + 1 < _src.Length && _src[p] is '$' or '%' && _src[p + 1] == '{';
            _heredocLines.Add(new HeredocLine(_pos, startsWithTemplate ? 0 : p - _pos, atNewline));
        }
        else if (_heredocTrimOffsets is not null && _heredocTrimOffsets.Contains(_pos))
        {
            _pos += _heredocTrim;
        }
    }

    private void AppendLiteral(StringBuilder literal, ReadOnlySpan<char> text)
    {
        if (_stripLeading)
        {
            var i = 0;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            text = text[i..];
            if (text.Length == 0) return;
            _stripLeading = false;
        }
        literal.Append(text);
    }

    private void TrimTrailing(StringBuilder literal, TemplateMode mode)
    {
        var end = literal.Length;
        while (end > 0 && char.IsWhiteSpace(literal[end - 1]))
        {
            if (mode == TemplateMode.Heredoc && literal[end - 1] == '\n' && end != literal.Length) break;
            end--;
        }
        literal.Length = end;
    }

    private void FlushLiteral(List<HclTemplatePart> parts, StringBuilder literal)
    {
        if (literal.Length == 0) return;
        parts.Add(new HclTemplateLiteral(literal.ToString()));
        literal.Clear();
    }

    private string ReadEscape()
    {
        var start = _pos;
        if (_pos + 1 >= _src.Length) throw Error(start, "Invalid escape sequence: a backslash must be followed by an escape character.");
        var selector = _src[_pos + 1];
        _pos += 2;
        switch (selector)
        {
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case '"': return "\"";
            case '\\': return "\\";
            case 'u' or 'U':
            {
                var digits = selector == 'u' ? 4 : 8;
                var hexStart = _pos;
                var count = 0;
                while (count < digits && _pos < _src.Length && char.IsAsciiHexDigit(_src[_pos])) { _pos++; count++; }
                if (count != digits) throw Error(start, $"Invalid escape sequence: the \\{selector} escape must be followed by {digits} hexadecimal digits.");
                var value = uint.Parse(_src.AsSpan(hexStart, digits), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                if (value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
                    throw Error(start, $"Invalid escape sequence: cannot encode character U+{value:X4} in UTF-8.");
                return char.ConvertFromUtf32((int)value);
            }
            default:
                throw Error(start, $"Invalid escape sequence: the symbol \"{_src[start + 1]}\" is not a valid escape sequence selector.");
        }
    }

    // ---------- lexical helpers ----------

    private bool AtEnd => _pos >= _src.Length;

    private char Cur => _pos < _src.Length ? _src[_pos] : '\0';

    private char Peek(int offset) => _pos + offset < _src.Length ? _src[_pos + offset] : '\0';

    private bool AtNewline => _pos < _src.Length && (_src[_pos] == '\n' || (_src[_pos] == '\r' && Peek(1) == '\n'));

    private void ConsumeNewline() => _pos += _src[_pos] == '\r' ? 2 : 1;

    /// <summary>Skips spaces and comments; newlines too when inside brackets, parentheses or interpolations.</summary>
    private void SkipTrivia()
    {
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c == ' ' || c == '\t') { _pos++; continue; }
            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && Peek(1) != '\n') { _pos++; continue; }
                if (!_newlinesAreSpace) return;
                _pos++;
                continue;
            }
            if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                var newline = _src.AsSpan(_pos).IndexOfAny('\n', '\r');
                _pos = newline < 0 ? _src.Length : _pos + newline;
                if (_pos < _src.Length && _src[_pos] == '\r' && Peek(1) != '\n') _pos++;
                continue;
            }
            if (c == '/' && Peek(1) == '*')
            {
                var close = _src.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (close < 0) throw Error(_pos, "Unterminated comment: '/*' has no closing '*/'.");
                _pos = close + 2;
                continue;
            }
            return;
        }
    }

    private void SkipTriviaAndNewlines()
    {
        var saved = _newlinesAreSpace;
        _newlinesAreSpace = true;
        SkipTrivia();
        _newlinesAreSpace = saved;
    }

    private static bool IsIdentStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '-';

    private string ReadIdentifier()
    {
        var start = _pos;
        _pos++;
        while (_pos < _src.Length && IsIdentChar(_src[_pos])) _pos++;
        // Names repeat constantly (variable, type, default, var, string...); share one string per distinct name.
        var span = _src.AsSpan(start, _pos - start);
        if (_names.TryGetValue(span, out var name)) return name;
        name = span.ToString();
        _names.Dictionary[name] = name;
        return name;
    }

    private string ExpectIdentifier(string message)
    {
        if (AtEnd || !IsIdentStart(Cur)) throw Error(_pos, $"{message}, found {Describe(_pos)}.");
        return ReadIdentifier();
    }

    private void Expect(char c, string message)
    {
        if (AtEnd || Cur != c) throw Error(_pos, $"{message}, found {Describe(_pos)}.");
        _pos++;
    }

    private void Enter(int at)
    {
        if (++_depth > MaxNestingDepth)
            throw Error(at, $"Nesting too deep: expressions and blocks may be nested at most {MaxNestingDepth} levels.");
    }

    private string Describe(int pos)
    {
        if (pos >= _src.Length) return "the end of the file";
        var c = _src[pos];
        if (c == '\n' || c == '\r') return "a newline";
        if (char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD') return $"the character U+{(int)c:X4}";
        return $"'{c}'";
    }

    private string Where(int offset)
    {
        var (line, column) = HclSyntaxException.LineColumn(_src, offset);
        return $"{line}:{column}";
    }

    private HclSyntaxException Error(int offset, string message) => HclSyntaxException.At(_file, _src, offset, message);
}
