// Package policy builds IAM policy documents from typed Go values, never from string
// concatenation, and the ARNs they name. It imports no Pulumi SDK: callers marshal a
// Document inside an Apply once the ARNs they need are known.
package policy

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Version is the IAM policy language version every document uses.
const Version = "2012-10-17"

// Document is an IAM policy document (identity, trust or resource policy).
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	Condition Condition  `json:"Condition,omitempty"`
}

// Principal names who a trust or resource policy applies to.
type Principal struct {
	AWS       []string `json:"AWS,omitempty"`
	Service   []string `json:"Service,omitempty"`
	Federated []string `json:"Federated,omitempty"`
}

// Condition maps an operator (StringEquals, Bool, ...) to condition keys and their values.
type Condition map[string]map[string][]string

// Effects of a statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// New returns a document of the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON renders the document.
func (d Document) JSON() (string, error) {
	if len(d.Statement) == 0 {
		return "", fmt.Errorf("policy document has no statements")
	}
	for i, s := range d.Statement {
		if s.Effect != Allow && s.Effect != Deny {
			return "", fmt.Errorf("statement %d (%s): effect %q: use Allow or Deny", i, s.Sid, s.Effect)
		}
		if len(s.Action) == 0 {
			return "", fmt.Errorf("statement %d (%s) names no action", i, s.Sid)
		}
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// Parse reads a document (tests use it to inspect rendered policies).
func Parse(text string) (Document, error) {
	var d Document
	err := json.Unmarshal([]byte(text), &d)
	return d, err
}

// Partition returns the ARN partition of a region: aws, aws-cn, aws-us-gov or aws-eusc.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// DNSSuffix returns the service domain of a region's partition (amazonaws.com, or
// amazonaws.com.cn in China), as used in service principals and kms:ViaService.
func DNSSuffix(region string) string {
	if Partition(region) == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// ARN is an Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String renders arn:partition:service:region:account:resource.
func (a ARN) String() string {
	return strings.Join([]string{"arn", a.Partition, a.Service, a.Region, a.Account, a.Resource}, ":")
}
